"""connect-impact: indicators computed over the warehouse marts."""
