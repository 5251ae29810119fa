"""The Workflow Builder step `request_rescue_pin`."""
