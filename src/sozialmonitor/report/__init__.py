"""The Lebenslagenbericht (social situation report): HTML, PDF and DOCX from the store.

Modules: :mod:`data` collects the figures (through the indicator service), :mod:`text` writes the German
sentences, :mod:`maps` and :mod:`charts` draw static SVG, :mod:`html`, :mod:`pdf` and :mod:`docx` write the
formats, :mod:`interviews` and :mod:`pseudonymise` handle the qualitative part, :mod:`build` ties it together.
"""
