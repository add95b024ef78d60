"""Settings split by purpose: ``base`` holds everything shared, ``dev`` a local machine,
``test`` the test suite and ``prod`` a deployment. Every environment variable is read
in ``environment.py``."""
