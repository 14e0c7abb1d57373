"""Converters from real motion-capture formats into the canonical ``smpl22`` world-space clip.

One module per source: :mod:`.deepmimic` (DeepMimic humanoid3d JSON), :mod:`.cmu_amc` (Acclaim
ASF/AMC, the CMU mocap format), :mod:`.amass` (SMPL/SMPL-H parameter files) and :mod:`.humanml3d`
(its ``new_joints`` and ``texts`` folders). Each returns ``joints: [T, 22, 3]`` at 25 fps, metres, +y up, on the
ground, facing +z at frame 0.
"""
