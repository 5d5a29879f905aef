"""Live chat: the portal and an embeddable widget, answered by agents in the console."""
