"""lienthong: e-office and secure document exchange for Party and State agencies."""

__version__ = "0.1.0"
