"""One module per result kind: each turns a result into the plain, formatted dict its
templates lay out (``context``) and, for JSON, into plain data (``data``)."""
