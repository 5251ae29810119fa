"""What the tests and the benchmark share: the app under test, the fakes it talks to, real
processes, Slack's request signing, and the secrets sweep. Nothing here is a test."""
