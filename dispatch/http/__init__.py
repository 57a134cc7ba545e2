"""What both shells (the JSON API and the pages) share about HTTP: the one error handler and
reading uploaded photos. It lives beside them, not in either, so neither imports the other and
`extensions` need not import a shell."""
