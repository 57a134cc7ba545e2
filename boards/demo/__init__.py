"""The demo district: data files, and generators of its grids, jurisdictions and history."""
