"""Tools that work on the project from outside it (never shipped to the browser): ``tools.site`` builds the
static site."""
