"""A typed client for the stepforce runtime's REST API, built on simple-salesforce."""
