"""RQ job functions and the worker entry point (`python -m workers` or `dispatch worker`).

Workers build their apps with `dispatch.factory.build_app`, not `dispatch.create_app`: the
command line starts workers, so workers do not import the command line back."""
