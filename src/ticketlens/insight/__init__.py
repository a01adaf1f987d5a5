"""Insight: themes tied to the team's mission (outcomes, systems, journey), reviewed by people."""
