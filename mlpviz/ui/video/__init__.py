"""Video and export: offline frame rendering, recording, snapshots, the record dialog, the
action log and file export."""
