"""Back-office of assemblies, agenda, roll, proxies, attendance and paper totals."""
