"""Session follow-through: Rescue's Post-to-URL turned into what the agent sees."""
