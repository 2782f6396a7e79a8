"""VoiceCoach's one small exception tree.

    VoiceCoachError              anything the user can fix; the CLI prints it as one line
    ├── UsageError               bad options or arguments
    ├── AudioFileError           a recording that is missing, corrupt, empty or silent
    ├── AuthoredFileError        a persona, rubric or lexicon file that does not validate
    │   └── PersonaError         ... a persona file specifically
    ├── ModelError               the speech model cannot be found or loaded
    ├── AudioDeviceError         no microphone/speaker, or one that failed mid-session
    └── SessionStorageError      a session folder cannot be written or read

Messages about authored files start with ``path:line:`` and name the key, so an instructor can go
straight to the mistake.
"""

from __future__ import annotations


class VoiceCoachError(Exception):
    """Base class: an error the user can act on, printed without a traceback."""


class UsageError(VoiceCoachError):
    """The command line asked for something impossible or contradictory."""


class AudioFileError(VoiceCoachError):
    """An audio file is missing, unreadable, corrupt, empty or holds no speech."""


class AuthoredFileError(VoiceCoachError):
    """A hand-written data file (persona, rubric, lexicon) failed validation."""

    def __init__(self, path: str, line: int | None, key: str, problem: str) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")
        self.path = path
        self.line = line
        self.key = key
        self.problem = problem


class PersonaError(AuthoredFileError):
    """A persona file failed validation, or no persona has the requested name."""


class ModelError(VoiceCoachError):
    """The speech-recognition model cannot be located or loaded."""


class AudioDeviceError(VoiceCoachError):
    """No usable audio device, or a device that failed during a session."""


class SessionStorageError(VoiceCoachError):
    """A session folder could not be written or read back."""
