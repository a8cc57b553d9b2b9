"""The treewide toolkit: carry a Coccinelle-driven refactoring across kernel trees."""

VERSION = "0.1.0"
