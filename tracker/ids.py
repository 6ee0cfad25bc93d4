"""Row ids as the database holds them; no database imports, so the CLI's options can use them."""

# Ids are 32-bit in the database (PostgreSQL's integer); a larger number cannot name a row and
# would overflow the driver's parameter, so it is refused before it reaches a query.
MAX_ID = 2**31 - 1
