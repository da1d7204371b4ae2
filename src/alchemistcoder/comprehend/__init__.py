"""comprehend."""
