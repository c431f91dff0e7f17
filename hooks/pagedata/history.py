"""The History page: the ideas the guide uses, in the order they were published, each with its source and the page where it appears."""
