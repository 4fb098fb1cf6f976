"""The network's pure core: plain data in, plain data out, no Django. Layout, drawing, GEDCOM, statistics."""
