"""zhengce-kg: a knowledge-graph builder for Chinese government text."""

__version__ = "0.1.0"
