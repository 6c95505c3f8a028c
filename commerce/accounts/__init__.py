"""Shop accounts: users who log in by email, with the roles `customer` and `admin`."""
