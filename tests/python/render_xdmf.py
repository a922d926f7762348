"""Render the ``control`` raster of the last time step of a salient XDMF sidecar to a PNG.

Run with ParaView's Python (it is not a pytest module):
    pvpython tests/python/render_xdmf.py RUN.xmf OUT.png [READER]
READER: a ParaView reader proxy (Xdmf3ReaderS, Xdmf3ReaderT, XDMFReader); default: the one
OpenDataFile picks (Xdmf3ReaderS for .xmf in ParaView 5.11). Prints the reader, the time
steps and the range of ``control``; exits non-zero if the file has no ``control`` array.
"""
import os
import sys

from paraview import simple as pv


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    # Absolute path: the XDMF readers resolve the .h5 next to the .xmf by its directory.
    xmf, png = os.path.abspath(argv[1]), os.path.abspath(argv[2])
    if len(argv) == 4:
        prop = "FileNames" if argv[3] == "XDMFReader" else "FileName"
        reader = getattr(pv, argv[3])(**{prop: [xmf]})
    else:
        reader = pv.OpenDataFile(xmf)
    reader.UpdatePipelineInformation()
    times = reader.TimestepValues
    times = list(times) if hasattr(times, "__len__") else [times]
    last = times[-1] if times else 0.0
    reader.UpdatePipeline(last)
    arr = reader.CellData.GetArray("control")
    print(f"reader {reader.GetXMLName()}, times {times}")
    if arr is None:
        print(f"no cell array 'control' in {xmf}", file=sys.stderr)
        return 1
    print(f"control at t={last}: range {arr.GetRange()}")

    view = pv.CreateView("RenderView")
    view.ViewSize = [800, 600]
    view.ViewTime = last
    view.OrientationAxesVisibility = 0
    view.Background = [1.0, 1.0, 1.0]
    try:                      # ParaView >= 5.10 keeps the palette's background otherwise
        view.UseColorPaletteForBackground = 0
    except AttributeError:
        pass
    disp = pv.Show(reader, view)
    pv.ColorBy(disp, ("CELLS", "control"))
    lut = pv.GetColorTransferFunction("control")
    lut.InterpretValuesAsCategories = 1
    lut.Annotations = ["-1", "nobody", "0", "side 0", "1", "side 1"]
    lut.IndexedColors = [0.9, 0.9, 0.85, 0.12, 0.47, 0.71, 0.84, 0.15, 0.16]
    disp.SetScalarBarVisibility(view, True)
    bar = pv.GetScalarBar(lut, view)
    bar.Title = "control"
    bar.TitleColor = bar.LabelColor = [0.0, 0.0, 0.0]
    view.InteractionMode = "2D"
    view.ResetCamera()
    view.CameraPosition = [view.CameraFocalPoint[0], view.CameraFocalPoint[1], 1e5]
    view.CameraViewUp = [0.0, 1.0, 0.0]
    view.ResetCamera()
    pv.Render(view)
    pv.SaveScreenshot(png, view, ImageResolution=[800, 600])
    print(png)
    pv.Delete(view)           # before exit: an X server without GLX contexts errs at teardown
    del view
    return 0 if os.path.isfile(png) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
