"""reader: an Arabic-to-English translator and bilingual reader.

Importing the package does no work: models, caches and settings load lazily.
"""

__version__ = "0.1.0"
