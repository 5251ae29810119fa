"""LogMeIn Rescue: the PIN-code API client, its kinds, fields and answers; Lens by SMS."""
