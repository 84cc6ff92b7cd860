"""Herald: a self-hostable social media scheduler."""
