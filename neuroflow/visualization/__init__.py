"""`keras.visualization`: boxes and masks drawn on images (NumPy), and galleries (matplotlib, `neuroflow[plot]`)."""
from neuroflow.visualization.draw_bounding_boxes import draw_bounding_boxes
from neuroflow.visualization.draw_segmentation_masks import draw_segmentation_masks
from neuroflow.visualization.plot_bounding_box_gallery import plot_bounding_box_gallery
from neuroflow.visualization.plot_image_gallery import plot_image_gallery
from neuroflow.visualization.plot_segmentation_mask_gallery import plot_segmentation_mask_gallery

__all__ = ["draw_bounding_boxes", "draw_segmentation_masks", "plot_bounding_box_gallery", "plot_image_gallery",
           "plot_segmentation_mask_gallery"]
