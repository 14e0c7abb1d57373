"""Converters from real motion-capture formats into the canonical ``smpl22`` world-space clip.

One module per source: :mod:`.deepmimic` (DeepMimic humanoid3d JSON) and :mod:`.cmu_amc` (Acclaim
ASF/AMC, the CMU mocap format). Each returns ``joints: [T, 22, 3]`` at 25 fps, metres, +y up, on the
ground, facing +z at frame 0.
"""
