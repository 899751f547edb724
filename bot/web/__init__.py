"""The web side: mini-service pages, approve links, dashboard, feeds, OAuth, admin API."""
