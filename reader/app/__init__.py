"""The reader app's logic; ``streamlit_app.py`` and ``app_pages/`` only wire widgets to what is here.

Nothing in this package imports Streamlit, so all of it is tested without a browser or a script
runner. One module per page, and what they share:

- ``inputs``: the four kinds of input (paste, upload, URL, sample) and the library key of each;
- ``models``: the model choices, the speed choice, one loaded model shared by every session;
- ``translating``: translating while the view fills in, and keeping the result in the library;
- ``listing``: the Library page (filters, rows, search hits marked and escaped, first-run help);
- ``reading``: the Read page (the document's view, cached per document; the view's events;
  previous/next; downloads);
- ``feeds``: the Feeds page (subscriptions, their status, "Check now" with progress);
- ``component``: the reading view's component (trusted script, no document data in it) and the
  events it may relay from the sandboxed view;
- ``messages``: messages shown as written, and the sidebar's cache figures.
"""
