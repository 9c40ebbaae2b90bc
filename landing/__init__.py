"""DOI and dataset landing pages: what doi.org visitors and machines get from one URL."""
