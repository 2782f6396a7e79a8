"""The live microphone and speaker as the session's AudioSource and AudioSink.

``play`` hands a persona line to the output and returns as soon as its first samples are out, so
the listener runs while the persona speaks (and can be interrupted by it: barge-in). The time
each line reached the output is kept, for the latency benchmark.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from voicecoach.live.listener import EndSession, Listener
from voicecoach.live.player import Player
from voicecoach.types import AudioClip, Reply

log = logging.getLogger(__name__)

#: Longest a persona line may take to reach the output before we stop waiting for it.
OUTPUT_START_TIMEOUT_S = 2.0


class LiveAudio:
    """Microphone replies in, persona lines out, through one listener and one player."""

    def __init__(self, listener: Listener, player: Player | None) -> None:
        self.listener = listener
        self.player = player
        self.output_started: list[float | None] = []

    def replies(self) -> Iterator[Reply]:
        """Each reply the trainee speaks, until they end the session (``q``)."""
        while True:
            try:
                yield self.listener.listen()
            except EndSession:
                log.info("the trainee ended the session")
                return

    def play(self, clip: AudioClip) -> None:
        """Start ``clip`` and return once its first samples have reached the output."""
        if self.player is None:
            return  # --no-playback: the line is only saved in the session folder
        self.player.start(clip)
        self.output_started.append(self.player.wait_started(OUTPUT_START_TIMEOUT_S))

    def finish(self, timeout: float = 30.0) -> None:
        """Let the last line play out, then release the devices."""
        if self.player is not None:
            self.player.wait(timeout)
        self.close()

    def close(self) -> None:
        """Release the devices at once."""
        self.listener.close()
        self.listener.mic.close()
        if self.player is not None:
            self.player.close()
