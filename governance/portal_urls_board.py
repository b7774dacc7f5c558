"""Portal URLs of the board, its mandates and candidacies, the ethics committee."""

urlpatterns: list = []
