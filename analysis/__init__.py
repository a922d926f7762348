"""Analysis of salient HDF5 run output (h5py, numpy, matplotlib).

Modules: ``io`` (reading), ``plot`` (overview PNG), ``summary`` (text table),
``report`` (figures and index.html), ``xdmf`` (ParaView sidecar), ``lanchester`` (the
validation arena's ODEs), ``ensemble`` (bands of an ensemble summary), ``openpmd_check``
(openPMD 1.1 conformance). Run from the repository root with
Debian's interpreter, e.g. ``/usr/bin/python3 -m analysis.plot RUN.h5 -o out.png``.
"""
