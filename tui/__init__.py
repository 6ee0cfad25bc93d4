"""The Textual terminal UI (arrives with the terminal UI issue); it calls tracker's services only."""
