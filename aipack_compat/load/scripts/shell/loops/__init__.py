"""Loops and the values they walk: `for`/`while` statements, `while read` over known lines, xargs
and GNU parallel, arrays filled from data, skip tests, and where a loop's words come from."""
