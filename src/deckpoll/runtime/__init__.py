"""Browser runtime: plain JS and CSS files joined into the built page, in file-name order."""
