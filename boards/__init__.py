"""The four boards: their taxonomy data (demo/) and the leaders' dashboard queries."""

import os

DEMO_FOLDER = os.path.join(os.path.dirname(__file__), "demo")
