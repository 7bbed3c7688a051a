"""Browser pages: the moderator review page, the embeddable widget and a demo article."""
