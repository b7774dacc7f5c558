"""Back-office of the board: mandates, candidacies, cooptations, the ethics committee."""
