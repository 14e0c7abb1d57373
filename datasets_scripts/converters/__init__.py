"""Converters from real motion-capture formats into the canonical ``smpl22`` world-space clip.

One module per source: :mod:`.deepmimic` (DeepMimic humanoid3d JSON), :mod:`.cmu_amc` (Acclaim
ASF/AMC, the CMU mocap format), :mod:`.amass` (SMPL/SMPL-H parameter files), :mod:`.humanml3d` (its
``new_joints`` and ``texts`` folders), :mod:`.kitml` (KIT-ML's processed ``new_joints``), :mod:`.babel`
(BABEL's action labels over AMASS), :mod:`.ntu` (NTU RGB+D ``.skeleton`` files), :mod:`.interhuman`
(two-person InterHuman clips), :mod:`.bvh` (any humanoid BVH: Mixamo, CMU, LaFAN1 names), :mod:`.style100`
(100STYLE's styled locomotion and its frame cuts) and :mod:`.beat` (BEAT's BVH, transcript and emotion).
Each returns ``joints: [T, 22, 3]`` at 25 fps, metres, +y up, on the ground, facing +z at frame 0.
"""
