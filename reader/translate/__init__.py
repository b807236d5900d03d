"""Translation: the Translator contract, backends behind it, and the caching wrapper."""
