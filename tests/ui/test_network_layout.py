"""Geometry of the network diagram: positions, elision and hit testing (no painting)."""

import numpy as np
import pytest

from mlpviz.ui.diagram.network_layout import NetworkLayout, elide


def test_layers_up_to_16_are_shown_whole_and_wider_ones_elided():
    assert elide(16).tolist() == list(range(16))
    shown = elide(784)
    assert shown.tolist() == list(range(8)) + list(range(777, 784))


def test_every_neuron_fits_between_the_margins_and_columns_go_left_to_right():
    layout = NetworkLayout([2, 8, 8, 1], 1280, 720)
    xs = [c.x for c in layout.columns]
    assert xs == sorted(xs) and xs[0] > layout.r and xs[-1] < layout.loss_rect[0]
    for col in layout.columns:
        assert (col.ys - layout.r >= layout.top - 1e-9).all()
        assert (col.ys + layout.r <= layout.bottom + 1e-9).all()
        assert col.ys.mean() == pytest.approx(0.5 * (layout.top + layout.bottom))
    lx, ly, lw, lh = layout.loss_rect
    assert lx + lw <= 1280 and layout.title_y < 720


def test_columns_are_spread_evenly_and_the_loss_tail_stays_compact():
    # the main window's network view at 1280 × 720 is about 475 px wide
    layout = NetworkLayout([2, 8, 8, 8, 1], 475, 649, 14, 10)
    gaps = np.diff([c.x for c in layout.columns])
    assert gaps == pytest.approx(np.full(4, layout.dx))
    assert layout.dx >= 0.16 * 475  # was ~45 px when the loss part took its fixed share
    lx, ly, lw, lh = layout.loss_rect
    out = layout.columns[-1]
    assert lx + lw - out.x <= 1.2 * layout.dx and lx + lw <= 475
    # too narrow to sit beside: the loss node goes under the target chip
    assert layout.loss_below
    cx, cy, cw, ch = layout.chip_rect(0)
    assert ly > cy + ch and lx >= out.x + layout.r
    assert ly + lh <= layout.title_y


def test_a_wide_view_puts_the_loss_one_column_gap_after_the_output():
    layout = NetworkLayout([2, 2, 1], 1280, 720, 14, 10)
    assert not layout.loss_below
    lx, ly, lw, lh = layout.loss_rect
    assert lx + lw / 2 - layout.columns[-1].x == pytest.approx(layout.dx)
    cx, cy, cw, ch = layout.chip_rect(0)
    assert layout.columns[-1].x + layout.r < cx and cx + cw < layout.brace_x < lx
    assert lx + lw <= 1280


@pytest.mark.parametrize("sizes", [[2, 2, 1], [2, 8, 8, 1], [784, 128, 64, 10]])
@pytest.mark.parametrize("size", [(475, 649), (898, 1009), (1280, 720)])
def test_titles_sit_just_under_the_lowest_neuron(sizes, size):
    layout = NetworkLayout(sizes, *size)
    lowest = max(float(c.ys.max()) for c in layout.columns) + layout.r
    if layout.loss_below:
        lowest = max(lowest, layout.loss_rect[1] + layout.loss_rect[3])
    assert 0 < layout.title_y - lowest <= 20 * layout.s
    assert layout.title_y + 30 * layout.s <= size[1]


def test_neurons_are_big_when_there_is_room_and_readable_when_narrow():
    assert NetworkLayout([2, 2, 1], 475, 649).r >= 25
    assert NetworkLayout([2, 2, 1], 898, 1009).r >= 50
    assert NetworkLayout([2, 8, 8, 8, 1], 475, 649, 14, 10).r >= 15
    big = NetworkLayout([784, 128, 64, 10], 475, 649)
    assert big.r >= 10 and big.r <= 0.22 * big.dx + 1e-9


def test_wide_layers_leave_a_slot_for_the_more_label():
    layout = NetworkLayout([784, 128, 64, 10], 1280, 720)
    col = layout.columns[0]
    assert (col.more, col.shown.size) == (769, 15)
    assert col.ys[7] < col.more_y < col.ys[8]
    assert layout.pos(-1, 8) is None and layout.pos(-1, 777) is not None
    i, j, segs = layout.edges(0)
    assert i.size == 15 * 15 and set(j.tolist()) == set(col.shown.tolist())
    assert segs.shape == (225, 4)


def test_sizes_scale_with_the_view():
    small = NetworkLayout([2, 2, 1], 1280, 720)
    big = NetworkLayout([2, 2, 1], 1920, 1080)
    assert big.s == pytest.approx(1.5 * small.s)
    assert big.r == pytest.approx(1.5 * small.r)


def test_hit_test_finds_neurons_bias_markers_and_edges():
    layout = NetworkLayout([2, 3, 1], 900, 520)
    x, y = layout.pos(0, 2)
    assert layout.hit_test(x, y) == ("neuron", 0, 2)
    assert layout.hit_test(*layout.pos(-1, 1)) == ("neuron", -1, 1)
    bx, by, bw, bh = layout.bias_rect(1, 0)
    assert layout.hit_test(bx + bw / 2, by + bh / 2) == ("bias", 1, 0)
    mx, my = layout.edge_midpoint(1, 0, 1)
    assert layout.hit_test(mx, my) == ("edge", 1, 0, 1)
    assert layout.hit_test(2, 2) is None


def test_hit_test_only_finds_edges_that_are_drawn():
    layout = NetworkLayout([2, 3, 1], 900, 520)
    mx, my = layout.edge_midpoint(1, 0, 1)
    visible = {1: (np.array([0]), np.array([0]))}
    assert layout.hit_test(mx, my, visible) is None


def test_inputs_have_no_bias_and_thumbnails_only_beside_hidden_neurons():
    layout = NetworkLayout([2, 3, 1], 900, 520, thumbnails=True)
    assert layout.bias_rect(-1, 0) is None
    assert layout.thumb_rect(0, 1) is not None
    assert layout.thumb_rect(1, 0) is None and layout.thumb_rect(-1, 0) is None
    assert NetworkLayout([2, 3, 1], 900, 520).thumb_rect(0, 1) is None


def test_a_network_needs_two_layer_sizes():
    with pytest.raises(ValueError, match="at least 2"):
        NetworkLayout([3], 800, 600)
