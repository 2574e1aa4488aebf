"""The offline page (离线版): xlzu in one HTML file, running under Pyodide.

``build`` assembles the page (run natively: ``xlzu web build``); ``inpage``
is what the page itself calls, inside the browser.
"""
