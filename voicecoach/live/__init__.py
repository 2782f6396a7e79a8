"""The live voice loop: microphone capture, end-of-turn detection with speculative
transcription, interruptible playback, the terminal screen and its keys.

Only this package and ``voicecoach.audio.devices`` touch sounddevice.
"""
