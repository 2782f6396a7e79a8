"""VoiceCoach: a local, offline voice practice partner for de-escalation training.

Importing the package loads no model, device or speech engine; see ``voicecoach.types`` for the
data that flows between stages and ``voicecoach.ports`` for the adapters to the outside world.
"""

__version__ = "0.1.0"
