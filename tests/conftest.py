"""Test-wide plugins: real DynamoDB Local and Redis servers, and the CNOP mesh."""

pytest_plugins = ["tests.infra", "tests.mesh"]
