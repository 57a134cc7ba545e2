"""The four boards' taxonomy and the demo district (demo/: the data, and the scripts that
made or replay it).

The leaders' dashboards read their figures from `dispatch.services.dashboards`."""

import os

DEMO_FOLDER = os.path.join(os.path.dirname(__file__), "demo")
