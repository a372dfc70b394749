"""Stand-in for a package that the site leaves out (one of pins.STANDINS): its metadata says the package is
installed, so stlite's micropip does not fetch it for Streamlit, which requires it; importing it says that
it is not there, on the browser's console and as an ImportError.

Only for packages that neither the app nor any Streamlit element the page uses imports:
tests/test_site_offline.py opens every view and feature of the offline site and fails on this message.
The same file stands in for each of them, as its top-level package's __init__.
"""

import sys
import traceback

MESSAGE = (f"stand-in: {__name__} is not in this site. The site build (tools/site) leaves it out because the "
           f"page never imports it; if it now does, take {__name__} out of STANDINS in tools/site/pins.py. "
           f"Imported from:\n")
sys.stderr.write(MESSAGE + "".join(traceback.format_stack()[:-1]))
raise ImportError(f"{__name__} is not in this site (a stand-in: see the browser's console)", name=__name__)
