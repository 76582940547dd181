"""sme-insure: design, price, sell and service insurance for small businesses.

Data flows one way: ``catalogue`` (products) and ``tables`` (rating tables) → ``rating`` →
underwriting → policies → claims → reserving and rate studies. The HTTP service and CLI are thin
layers over the library; nothing in the library imports them.
"""

__version__ = "0.1.0"
